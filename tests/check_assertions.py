"""Assertions shared by the tests of the exercise checks (helpers/checks/)."""


def assert_wrong(result, *fragments):
    """The check said "wrong" (and is falsy), and its message names each of ``fragments``."""
    assert result.status == "wrong" and not result, repr(result)
    for fragment in fragments:
        assert fragment in result.message, f"{fragment!r} not in {result.message!r}"


def assert_not_diagnosed(result, *fragments):
    """The check said "wrong" without naming a specific mistake (the answer matches none it knows)."""
    assert result.status == "wrong" and not result, repr(result)
    assert result.diagnosed is False, f"a mistake was named for an answer that matches none: {result.message!r}"
    for fragment in fragments:
        assert fragment in result.message, f"{fragment!r} not in {result.message!r}"
