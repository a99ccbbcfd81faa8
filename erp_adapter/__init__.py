"""ERP connectors: snapshot and history in, approved plans out. The mapping between ERP
records and domain objects lives here and only here."""
