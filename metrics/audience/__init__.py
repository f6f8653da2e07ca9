"""Connected accounts and where their followers are: the local share beside the total.

Modules, by layer (pyproject's import-linter contract):
- ``models``: connections (encrypted tokens), audience geographies, the gazetteer (with the other models);
- ``places`` (gazetteer import and matching), ``store`` (the one writer of geographies): beside ``metrics.counts``;
- ``oauth`` (the providers' HTTP), ``connections`` (connect, refresh, revoke): below ``metrics.polling``,
  which polls the geographies through the same plan → batch → task path as the counts;
- ``local``: the local share of each member (a selector), beside ``metrics.standings``.
"""
