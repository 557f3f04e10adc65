//! CF time: units, calendars and datetimes (being written).
