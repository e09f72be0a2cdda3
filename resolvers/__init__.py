"""The domain operations behind each GraphQL field. They return rows or plain data, ask
`authz` before touching anything, flush but never commit, and know nothing of GraphQL."""
