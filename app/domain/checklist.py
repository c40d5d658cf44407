"""The personalised checklist's rules (issue 10: rules out of web/): what the person told it,
what they must bring, and the optional NIK check — which is only checked and forgotten, never
stored, logged or put in a URL (DESIGN §9). Plain Python: pages and the PDF call it alike."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date

from .eligibility import RECORDING_AGE, check_eligibility
from .errors import ValidationError
from .nik import NikError, mask_nik, nik_warnings, parse_nik
from .services import (
    BIOMETRICS_ON_FILE_NOTE,
    FORM_NOTE,
    NO_COVER_LETTER_NOTE,
    OUTSIDE_DOMICILE_NOTE,
    Document,
    Service,
    checklist,
    get_service,
)

YES_NO = ("yes", "no")


@dataclass(frozen=True)
class ChecklistAnswers:
    """What the person told the checklist: kept in the query string, no personal data."""

    adult: str | None = None  # pemula: 17 or older?
    married: str | None = None  # pemula under 17: married or ever married?
    have: tuple[str, ...] = ()  # documents ticked "I have this"
    checked: bool = False  # the tick list was sent: what is not ticked is missing

    @classmethod
    def from_mapping(cls, service_code: str, values: Mapping | None) -> ChecklistAnswers:
        values = values or {}

        def one(name):
            value = values.get(name)
            return value if value in YES_NO else None

        if hasattr(values, "getlist"):
            ticked = values.getlist("have")
        else:
            ticked = values.get("have") or ()
            ticked = [ticked] if isinstance(ticked, str) else list(ticked)
        known = {doc.code for doc in checklist(service_code, ever_married=True)}
        adult = one("adult") if service_code == "pemula" else None
        return cls(adult=adult, married=one("married") if adult == "no" else None,
                   have=tuple(dict.fromkeys(c for c in ticked if c in known)),
                   checked=values.get("checked") in ("1", True))

    @property
    def ever_married(self) -> bool:
        """Under 17 and married: eligible, and brings the marriage evidence (checklist())."""
        return self.adult == "no" and self.married == "yes"

    @property
    def too_young(self) -> bool:
        return self.adult == "no" and self.married == "no"

    def pending(self, service_code: str) -> str | None:
        """The next question that changes the answer; only a first recording has any."""
        if service_code != "pemula":
            return None
        if self.adult is None:
            return "adult"
        if self.adult == "no" and self.married is None:
            return "married"
        return None

    def query(self, *, ticks: bool = True) -> list[tuple[str, str]]:
        pairs = [(k, v) for k, v in (("adult", self.adult), ("married", self.married)) if v]
        if ticks:
            pairs += [("have", code) for code in self.have]
            if self.checked:
                pairs.append(("checked", "1"))
        return pairs


@dataclass(frozen=True)
class ChecklistView:
    service: Service
    answers: ChecklistAnswers
    documents: tuple[Document, ...]

    @property
    def missing(self) -> tuple[Document, ...]:
        if not self.answers.checked:
            return ()
        return tuple(d for d in self.documents if d.code not in self.answers.have)

    @property
    def complete(self) -> bool:
        return self.answers.checked and not self.missing

    def notes(self):
        """The general notes that apply to this service (source strings, shown translated)."""
        if self.service.needs_recording:
            return (NO_COVER_LETTER_NOTE, OUTSIDE_DOMICILE_NOTE, FORM_NOTE)
        return (NO_COVER_LETTER_NOTE, BIOMETRICS_ON_FILE_NOTE, FORM_NOTE)


def checklist_view(service_code: str, answers: ChecklistAnswers) -> ChecklistView:
    return ChecklistView(service=get_service(service_code), answers=answers,
                         documents=checklist(service_code, ever_married=answers.ever_married))


@dataclass(frozen=True)
class NikResult:
    """What the NIK says, shown once and forgotten: only the masked NIK is shown back."""

    masked: str
    birth_date: date
    age: int
    eligible: bool
    eligible_from: date | None
    reason: str
    stated_birth_date: date | None
    birth_date_differs: bool


def check_nik(nik: str, today: date, *, ever_married: bool = False,
              stated_birth_date: date | None = None) -> NikResult:
    """What a NIK says about recording (DESIGN §3); ValidationError({"nik": code}) when it
    cannot have been issued. Only the masked NIK is kept in the answer."""
    try:
        info = parse_nik(nik, today)
    except NikError as error:
        raise ValidationError({"nik": error.code}) from None
    eligibility = check_eligibility(info.birth_date, today, ever_married=ever_married)
    return NikResult(
        masked=mask_nik(nik), birth_date=info.birth_date, age=eligibility.age,
        eligible=eligibility.eligible, eligible_from=eligibility.eligible_from,
        reason=eligibility.reason, stated_birth_date=stated_birth_date,
        birth_date_differs="birth_date_mismatch" in nik_warnings(info, stated_birth_date))


def answers_after_nik(answers: ChecklistAnswers, result: NikResult,
                      married: str | None) -> ChecklistAnswers:
    """The NIK answers the age question; the checklist follows from it."""
    adult = "yes" if result.age >= RECORDING_AGE else "no"
    return ChecklistAnswers(adult=adult, married=married if adult == "no" else None,
                            have=answers.have, checked=answers.checked)
