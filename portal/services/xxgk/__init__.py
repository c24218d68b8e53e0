"""The 政府信息公开专栏 (/xxgk/): 指南, 制度, 法定主动公开内容 and 年报, built from the records the portal
already keeps (agencies' FOI offices, documents with their disclosure category, annual-report documents).
"""
