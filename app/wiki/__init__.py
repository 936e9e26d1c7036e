"""The service's own wiki account (``bot``), wiki user names and page lists (``names``) and the
SecurePoll dump reader (``securepoll``). No web framework, no database: services store what
these return."""
