"""Field laptops (issue 16): the office's change sequence, the field copy's outbox and the
office's record of applied commands, copying rows between the office and a laptop, and the
attachments' bytes in the shared database."""
