CREATE TABLE `workspaces` (
	`id` text PRIMARY KEY NOT NULL
);
