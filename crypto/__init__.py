"""Scrutin's protocol cryptography: stdlib + PyNaCl only, imports nothing else of ours."""
