"""Python clients that talk to a Scrutin server over HTTP and do all cryptography locally.

Used by the tests, by ``scrutin simulate`` and by power users. They import ``crypto`` and
``httpx`` only: nothing here touches the database.
"""
