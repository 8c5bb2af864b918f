"""Persistence of business records for the flows: domain records in, domain records out.

Each module maps one kind of record to its tables; rows never leave this package.
"""
