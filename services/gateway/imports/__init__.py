"""Registers in from spreadsheets: what each register's columns are, reading a file into
rows, sending them a batch at a time to the service that owns the register, and the record
of each import."""
