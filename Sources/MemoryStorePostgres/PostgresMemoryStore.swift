// The PostgreSQL store: being written (issue "PostgreSQL and Redis").
