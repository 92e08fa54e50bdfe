"""The Intacct XML gateway client (httpx + lxml)."""
