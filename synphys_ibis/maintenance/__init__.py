"""Maintenance of databases: the published DDL per backend, create/drop/vacuum, streaming
table copies between backends, clones and bakes.
"""
