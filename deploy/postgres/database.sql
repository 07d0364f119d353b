-- One service's role and database, the role owning the database and nothing else: no other
-- role may connect to it or create anything in it. psql variables `role` and `database`;
-- the password from the environment (PHF_DB_PASSWORD), kept off the command line. Safe to run
-- again. deploy/postgres/init-databases.sh runs it for each service.
\getenv password PHF_DB_PASSWORD
SELECT format('CREATE ROLE %I', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') \gexec
ALTER ROLE :"role" WITH LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE PASSWORD :'password';
SELECT format('CREATE DATABASE %I OWNER %I', :'database', :'role')
 WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'database') \gexec
ALTER DATABASE :"database" OWNER TO :"role";
-- A new database lets every role (PUBLIC) connect and make temporary tables: only its owner may.
REVOKE ALL ON DATABASE :"database" FROM PUBLIC;
\connect :"database"
-- PostgreSQL before 15 let PUBLIC create in the public schema of every database.
ALTER SCHEMA public OWNER TO :"role";
REVOKE ALL ON SCHEMA public FROM PUBLIC;
