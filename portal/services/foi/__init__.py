"""依申请公开: requests for government information, from application to archive.

Modules, in the order a request meets them: ``requests`` (every write, one path for citizens, staff and
the loader), ``deadlines`` (the statutory working-day clock), ``fees`` (the processing-fee calculator),
``outcomes`` (how a request can end: the rows of the annual report's table 3), ``letters`` (the reply
letter), ``report`` (tables 3 and 4 from the records) and ``pages`` (what the FOI pages show).
"""
