"""The web workbench (``scrutiny serve``). So far: accounts, roles and the audit log
(``accounts``); the FastAPI app and its pages come next."""
