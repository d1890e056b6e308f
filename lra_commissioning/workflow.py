"""Workflows as data: a transition table per workflow, one helper that refuses.

A workflow model has a `TextChoices` status and a table
`{action: (allowed source states, target state)}`. Services call
`workflow.transition(...)` to learn the target state, or get
`TransitionNotAllowed` with a message a user can read.
"""

from dataclasses import dataclass


class DomainError(Exception):
    """A business rule refused the request; the message is for the user."""


class TransitionNotAllowed(DomainError):
    """The record's state does not allow this action. The message says why.

    A kind of DomainError, so one `except DomainError` shows every refusal.
    """


@dataclass(frozen=True)
class Transition:
    sources: frozenset
    target: str
    label: str = ""


class Workflow:
    def __init__(self, name: str, transitions: dict[str, Transition]):
        self.name = name
        self.transitions = transitions

    def allowed(self, state, action) -> bool:
        t = self.transitions.get(action)
        return t is not None and state in t.sources

    def target(self, state, action):
        """The state after `action`, or TransitionNotAllowed."""
        t = self.transitions.get(action)
        if t is None:
            raise TransitionNotAllowed(f"{self.name}: there is no action called {action!r}.")
        if state not in t.sources:
            label = getattr(state, "label", state)
            raise TransitionNotAllowed(
                f"This {self.name} is {str(label).lower()}, so it cannot be "
                f"{t.label or action.replace('_', ' ')}."
            )
        return t.target

    def actions_from(self, state) -> list[str]:
        return [a for a, t in self.transitions.items() if state in t.sources]


def t(sources, target, label=""):
    return Transition(frozenset(sources), target, label)
