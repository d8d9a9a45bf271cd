-- Rasa's tracker store and its SQL event broker: two databases (both use a table named `events`).
CREATE DATABASE rasa OWNER app;
CREATE DATABASE rasa_events OWNER app;
