"""The administrative units since 1 July 2025 (34 provinces, communes and wards, no districts).

``catalogue``: provinces and communes from the packages vietnam-provinces (names, statistics
office codes) and vietnamadminunits (coordinates, the old-to-new crosswalk), read offline.
``convert``: tables that name pre-2025 units (commune + district + province, or a district
alone) turned into the new communes where the mapping is one to one; split units are listed
for the analyst to choose, never guessed.
"""
