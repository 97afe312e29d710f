"""MySQL and MariaDB through mysqlclient (PyMySQL when mysqlclient is missing)."""
