-- Issue 14: passkeys people register in the console, for `stepUp: passkey`.
CREATE TABLE `passkeys` (
	`id` text PRIMARY KEY NOT NULL,
	`email` text NOT NULL,
	`public_key` text NOT NULL,
	`counter` integer NOT NULL,
	`transports` text NOT NULL,
	`name` text NOT NULL,
	`created_at` integer NOT NULL,
	`last_used_at` integer
);
--> statement-breakpoint
CREATE INDEX `passkeys_email` ON `passkeys` (`email`);
