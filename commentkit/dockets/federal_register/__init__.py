"""dockets/federal_register"""
