"""Optional packages built on relata.models, as Django's django.contrib is on its model layer.

Each subpackage is imported only by projects that use it: nothing in relata.models knows of them.
"""
