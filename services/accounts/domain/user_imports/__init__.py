"""Users of a company, read from the files that other systems export: recognition of the
format from the header row, decoding, and a plain line-by-line classification.

Nothing here touches a database: ``reader.read`` turns the stored bytes of an upload into
``Candidate`` rows, ``classify`` says which of them can be imported and why not. The
import's storage, the checks against the target account and the numbering pool, and the
apply step are in ``services/accounts/domain/user_import_jobs.py``.

One module per source format (``google_workspace``, ``microsoft365``, ``broadworks``)
declares the columns it recognises and how a row becomes a candidate.
"""
