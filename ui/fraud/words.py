"""How the page names the two classes: "fraud" and "normal transactions" for fraud data, the label
column's own words (e.g. "defaulted" / "not defaulted" rows) for a person's table about something else."""

from __future__ import annotations

from dataclasses import dataclass

from dl_core import fraud


@dataclass(frozen=True)
class Words:
    terms: fraud.Terms

    @property
    def positives(self) -> str:  # "frauds", "'defaulted' rows"
        return "frauds" if self.terms.about_fraud else f"'{self.terms.positive}' rows"

    @property
    def a_positive(self) -> str:  # "a fraud", "a 'defaulted' row"
        return "a fraud" if self.terms.about_fraud else f"a '{self.terms.positive}' row"

    @property
    def negatives(self) -> str:  # "normal transactions", "'not defaulted' rows"
        return "normal transactions" if self.terms.about_fraud else f"'{self.terms.negative}' rows"

    @property
    def rows(self) -> str:
        return "transactions" if self.terms.about_fraud else "rows"

    @property
    def a_row(self) -> str:
        return "a transaction" if self.terms.about_fraud else "a row"

    @property
    def positive(self) -> str:  # short, for table and chart labels
        return self.terms.positive

    @property
    def negative(self) -> str:
        return self.terms.negative


FRAUD = Words(fraud.FRAUD_TERMS)
