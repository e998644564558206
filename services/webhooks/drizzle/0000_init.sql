CREATE TABLE `deliveries` (
	`seq` integer PRIMARY KEY NOT NULL,
	`id` text NOT NULL,
	`event` text NOT NULL,
	`action` text,
	`repository` text,
	`repository_key` text,
	`installation_id` integer,
	`received_at` integer NOT NULL,
	`headers` text NOT NULL,
	`payload` blob NOT NULL,
	`payload_bytes` integer NOT NULL,
	`last_event_id` text NOT NULL,
	`redeliveries` integer DEFAULT 0 NOT NULL,
	`last_redelivered_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `deliveries_id_idx` ON `deliveries` (`id`);--> statement-breakpoint
CREATE INDEX `deliveries_received_at_idx` ON `deliveries` (`received_at`,`seq`);--> statement-breakpoint
CREATE INDEX `deliveries_event_received_at_idx` ON `deliveries` (`event`,`received_at`);--> statement-breakpoint
CREATE INDEX `deliveries_repository_key_received_at_idx` ON `deliveries` (`repository_key`,`received_at`);--> statement-breakpoint
CREATE TABLE `outbox` (
	`id` text PRIMARY KEY NOT NULL,
	`subject` text NOT NULL,
	`envelope` text NOT NULL,
	`traceparent` text,
	`created_at` integer NOT NULL,
	`attempts` integer DEFAULT 0 NOT NULL,
	`sent_at` integer
);
--> statement-breakpoint
CREATE INDEX `outbox_sent_at_created_at_idx` ON `outbox` (`sent_at`,`created_at`);--> statement-breakpoint
CREATE TABLE `processed_events` (
	`consumer` text NOT NULL,
	`event_id` text NOT NULL,
	`processed_at` integer NOT NULL,
	PRIMARY KEY(`consumer`, `event_id`)
);
