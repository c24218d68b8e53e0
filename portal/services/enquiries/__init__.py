"""政务咨询 and 我为政府网站找错: citizens' messages answered on deadlines, published, and watched.

Modules: ``rules`` (deadlines per kind, the zombie and cadence rules; no database), ``messages`` (every
write, one path for citizens, staff and the loader), ``pages`` (what the pages show), ``content`` (the demo
register, loaded through ``messages``).
"""
