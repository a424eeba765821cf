"""association"""
