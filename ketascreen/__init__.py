"""ketascreen: pre-treatment screening for ketamine treatment of depression.

The package core (loading, conditions, scoring) has no terminal code; ``ketascreen.cli`` is the
only module that talks to a person.
"""

__version__ = "0.1.0"
