"""发文限额 (document quota): its configuration, the usage report, and the check.

``config`` parses ``[quota]``, ``usage`` counts what each unit has used (for
``quota status`` and the check), ``check`` is the ``quota`` check itself.
"""
