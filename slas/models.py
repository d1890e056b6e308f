"""Support services and their service level agreements with the LRA service."""

from django.db import models
from simple_history.models import HistoricalRecords

from lra_commissioning.models import User


class SupportService(models.Model):
    """A council support service (ICT, HR, ...) that the LRA service relies on."""

    name = models.CharField(max_length=100, unique=True)
    council_wide_description = models.TextField(
        blank=True, help_text="The council-wide service description each SLA starts from."
    )
    leads = models.ManyToManyField(User, blank=True, related_name="led_support_services")

    history = HistoricalRecords(m2m_fields=[leads])

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def is_led_by(self, user) -> bool:
        # Uses the prefetch cache when the caller prefetched `leads`.
        return any(lead.pk == user.pk for lead in self.leads.all())
