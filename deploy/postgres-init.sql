-- One database per service: no service reads another's tables.
CREATE DATABASE fund OWNER phf;
CREATE DATABASE insurance OWNER phf;
CREATE DATABASE volunteers OWNER phf;
CREATE DATABASE families OWNER phf;
CREATE DATABASE gateway OWNER phf;
