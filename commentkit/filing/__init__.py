"""filing"""
