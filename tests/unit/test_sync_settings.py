"""The settings a run plans with, built from the connection's date and Intacct's set-up (rule C5):
a base currency that is absent or not a code stops the run, naming what to do."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

from returns.pipeline import is_successful

from released_intacct.domain.enums import Prerequisite
from released_intacct.domain.errors import ErrorKind, Rule
from released_intacct.domain.ids import ConnectionId
from released_intacct.domain.ports import IntacctSetup
from released_intacct.domain.settings import sync_settings

SETUP = IntacctSetup(
    customer_sequencing=True,
    vendor_sequencing=None,
    account_labels=None,
    order_entry=True,
    purchasing=False,
    items=(),
    tax_solution_external=True,
    subtotal_dimension_defaulting=True,
    base_currency=" gbp ",
)
C = ConnectionId("c-1")
FROM = date(2026, 1, 1)


def test_C5_settings_carry_the_set_up_with_the_base_currency_as_a_code() -> None:
    settings = sync_settings(C, FROM, SETUP).unwrap()
    assert (settings.connection, settings.sync_from, settings.base_currency) == (C, FROM, "GBP")
    assert (settings.order_entry, settings.purchasing, settings.account_labels) == (
        True,
        False,
        False,
    )
    assert settings.unconfirmed == {Prerequisite.VENDOR_SEQUENCING, Prerequisite.ACCOUNT_LABELS_OFF}


def test_C5_no_single_base_currency_stops_the_run_naming_the_entity() -> None:
    error = sync_settings(C, FROM, replace(SETUP, base_currency=None)).failure()
    assert (error.kind, error.rule) == (ErrorKind.FATAL, Rule.C5)
    assert "entity" in error.fix


def test_C5_a_base_currency_that_is_not_a_code_stops_the_run() -> None:
    found = sync_settings(C, FROM, replace(SETUP, base_currency="pounds"))
    assert not is_successful(found)
    assert (found.failure().kind, found.failure().rule) == (ErrorKind.FATAL, Rule.C5)
    assert "'pounds'" in found.failure().message
