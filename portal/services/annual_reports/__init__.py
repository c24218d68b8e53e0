"""政府信息公开工作年度报告 (2021 format): tables from the records, invariants, text, publication, deadlines.

- :mod:`.table2`: 规章 and 行政规范性文件 issued / repealed / in force, from the library;
- :mod:`.tables`: the report's tables for a year (table 3 and 4 via ``services.foi.report``) and the checks;
- :mod:`.drafting`: the six sections drafted from the figures, and the document body with the tables;
- :mod:`.workflow`: create, edit, compose into a document; the checks the publishing workflow calls;
- :mod:`.deadlines`: who still owes last year's report (31 January for departments, 31 March for the
  district, art 49);
- :mod:`.content`: the demo reports from ``content/annual_reports/``.
"""
