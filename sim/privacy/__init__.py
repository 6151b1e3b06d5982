"""Records for the personal-data impact-assessment dossier (``record``)."""
