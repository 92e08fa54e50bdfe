"""In-memory fakes of the ports, and HTTP simulators of Intacct and Re-Leased (``simulators``)."""
