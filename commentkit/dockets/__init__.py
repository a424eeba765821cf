"""dockets"""
