"""Moved to gachi.core.codes (auth, ballots and programmes use it too). This name stays
only for gachi/programs, which is being split meanwhile; remove it once programs
imports gachi.core.codes."""

from gachi.core.codes import ALPHABET, CODE_LENGTH, format_code, new_code, normalise_code

__all__ = ["ALPHABET", "CODE_LENGTH", "format_code", "new_code", "normalise_code"]
