"""letter"""
