"""The audience: outlets, recipients, their endpoints and subscriptions, consent and suppression.

The targeting engine (`newswire.target`) decides who matches a release; this package keeps the
people it decides about and answers "who gets this version, where, in which language".
"""
