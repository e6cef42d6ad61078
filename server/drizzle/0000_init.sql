CREATE TABLE `actions` (
	`id` text PRIMARY KEY NOT NULL,
	`status` text NOT NULL,
	`action` text NOT NULL,
	`resource` text,
	`environment` text,
	`params` text,
	`justification` text,
	`source` text NOT NULL,
	`context` text NOT NULL,
	`requester_id` text NOT NULL,
	`requester_owner` text,
	`key_id` text,
	`digest` text NOT NULL,
	`rule_name` text NOT NULL,
	`rule_effect` text NOT NULL,
	`policy_version` text NOT NULL,
	`approvers` text NOT NULL,
	`required_approvals` integer NOT NULL,
	`received_approvals` integer DEFAULT 0 NOT NULL,
	`channel` text,
	`reason` text,
	`grant_ttl_ms` integer NOT NULL,
	`callback_url` text,
	`idempotency_key` text,
	`request_hash` text,
	`created_at` integer NOT NULL,
	`expires_at` integer,
	`decided_at` integer
);
--> statement-breakpoint
CREATE UNIQUE INDEX `actions_idempotency` ON `actions` (`requester_id`,`idempotency_key`);--> statement-breakpoint
CREATE INDEX `actions_requester` ON `actions` (`requester_id`,`id`);--> statement-breakpoint
CREATE INDEX `actions_owner` ON `actions` (`requester_owner`,`id`);--> statement-breakpoint
CREATE INDEX `actions_pending_expiry` ON `actions` (`status`,`expires_at`);--> statement-breakpoint
CREATE TABLE `agents` (
	`name` text PRIMARY KEY NOT NULL,
	`owner` text NOT NULL,
	`created_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `api_keys` (
	`id` text PRIMARY KEY NOT NULL,
	`secret_hash` text NOT NULL,
	`principal` text NOT NULL,
	`scopes` text NOT NULL,
	`label` text,
	`created_at` integer NOT NULL,
	`last_used_at` integer,
	`revoked_at` integer
);
--> statement-breakpoint
CREATE TABLE `audit_events` (
	`seq` integer PRIMARY KEY NOT NULL,
	`at` text NOT NULL,
	`type` text NOT NULL,
	`actor` text NOT NULL,
	`subject` text,
	`data` text NOT NULL,
	`prev_hash` text NOT NULL,
	`hash` text NOT NULL
);
--> statement-breakpoint
CREATE INDEX `audit_subject` ON `audit_events` (`subject`);--> statement-breakpoint
CREATE INDEX `audit_type` ON `audit_events` (`type`,`seq`);--> statement-breakpoint
CREATE TABLE `grants` (
	`id` text PRIMARY KEY NOT NULL,
	`action_id` text NOT NULL,
	`token_hash` text NOT NULL,
	`digest` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`redeemed_at` integer,
	FOREIGN KEY (`action_id`) REFERENCES `actions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `grants_token_hash` ON `grants` (`token_hash`);--> statement-breakpoint
CREATE UNIQUE INDEX `grants_action` ON `grants` (`action_id`);--> statement-breakpoint
CREATE TABLE `policies` (
	`version` text PRIMARY KEY NOT NULL,
	`file` text NOT NULL,
	`text` text NOT NULL,
	`loaded_at` integer NOT NULL
);
--> statement-breakpoint
CREATE TABLE `reviews` (
	`id` text PRIMARY KEY NOT NULL,
	`action_id` text NOT NULL,
	`reviewer` text NOT NULL,
	`decision` text NOT NULL,
	`comment` text,
	`via` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`action_id`) REFERENCES `actions`(`id`) ON UPDATE no action ON DELETE no action
);
--> statement-breakpoint
CREATE UNIQUE INDEX `reviews_one_per_reviewer` ON `reviews` (`action_id`,`reviewer`);--> statement-breakpoint
CREATE TABLE `users` (
	`email` text PRIMARY KEY NOT NULL,
	`slack_user_id` text,
	`created_at` integer NOT NULL
);
