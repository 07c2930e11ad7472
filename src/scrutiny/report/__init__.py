"""The verification report: ``data`` reads the catalog, ``figures`` draws, ``build`` renders
the self-contained HTML (template in ``templates/``) and ``pdf`` prints it with Chromium."""
