"""The catalogue of hostile inputs as a whole: its six families, at least 200 inputs, no two of one name."""

from __future__ import annotations

from hostile import test_arguments, test_file_types, test_ledgers, test_plan_cache, test_plan_files, test_signatures
from hostile.catalogue import CASES

FAMILIES = (test_ledgers, test_plan_files, test_plan_cache, test_arguments, test_file_types,   # each adds its cases
            test_signatures)


def test_the_catalogue_holds_at_least_200_hostile_inputs():
    families = {}
    for c in CASES:
        families[c.family] = families.get(c.family, 0) + 1
    assert len(CASES) >= 200, families
    assert set(families) == {"import", "plan", "cache", "args", "files", "sigs"}
    assert len({(c.family, c.name) for c in CASES}) == len(CASES), "two cases share a name"
