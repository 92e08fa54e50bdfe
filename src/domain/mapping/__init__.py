"""Field mapping both ways (rules M1-M4, D17), per the tables of seed 004."""
