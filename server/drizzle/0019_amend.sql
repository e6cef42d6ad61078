-- Issue 16: amend, then approve. The request's params and digest become the amended ones; what the
-- requester submitted is kept beside them. amend_allowed is the rule's `amend` at submission.
ALTER TABLE `actions` ADD `amend_allowed` integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE `actions` ADD `original_params` text;--> statement-breakpoint
ALTER TABLE `actions` ADD `original_digest` text;--> statement-breakpoint
ALTER TABLE `actions` ADD `amended_by` text;--> statement-breakpoint
ALTER TABLE `actions` ADD `amended_at` integer;
--> statement-breakpoint
-- Ask before deciding: a reviewer's question and the requester's answers, in order; the request stays pending.
CREATE TABLE `action_comments` (
	`id` text PRIMARY KEY NOT NULL,
	`action_id` text NOT NULL,
	`author` text NOT NULL,
	`role` text NOT NULL,
	`body` text NOT NULL,
	`at` integer NOT NULL,
	FOREIGN KEY (`action_id`) REFERENCES `actions`(`id`) ON UPDATE no action ON DELETE no action
);--> statement-breakpoint
CREATE INDEX `action_comments_action` ON `action_comments` (`action_id`,`at`);
--> statement-breakpoint
-- Break-glass: the rule's terms at submission, the requester's self-approval, and its follow-up review.
ALTER TABLE `actions` ADD `break_glass_notify` text;--> statement-breakpoint
ALTER TABLE `actions` ADD `break_glass_review_ms` integer;--> statement-breakpoint
ALTER TABLE `actions` ADD `break_glass_reason` text;--> statement-breakpoint
ALTER TABLE `actions` ADD `break_glass_by` text;--> statement-breakpoint
ALTER TABLE `actions` ADD `break_glass_at` integer;--> statement-breakpoint
ALTER TABLE `actions` ADD `follow_up_status` text;--> statement-breakpoint
ALTER TABLE `actions` ADD `follow_up_by` text;--> statement-breakpoint
ALTER TABLE `actions` ADD `follow_up_at` integer;--> statement-breakpoint
ALTER TABLE `actions` ADD `follow_up_comment` text;--> statement-breakpoint
CREATE INDEX `actions_follow_up` ON `actions` (`follow_up_status`);
--> statement-breakpoint
-- Standing approvals: the rule's limits at submission, the approval a request was approved by, and the
-- approvals themselves (same action, same requester, a resource or a narrower pattern; time and uses).
ALTER TABLE `actions` ADD `standing_max_ms` integer;--> statement-breakpoint
ALTER TABLE `actions` ADD `standing_uses` integer;--> statement-breakpoint
ALTER TABLE `actions` ADD `standing_id` text;--> statement-breakpoint
CREATE TABLE `standing_approvals` (
	`id` text PRIMARY KEY NOT NULL,
	`action` text NOT NULL,
	`resource` text,
	`requester_id` text NOT NULL,
	`rule_name` text NOT NULL,
	`approvers` text NOT NULL,
	`approved_by` text NOT NULL,
	`from_action_id` text NOT NULL,
	`created_at` integer NOT NULL,
	`expires_at` integer NOT NULL,
	`uses_left` integer NOT NULL,
	`revoked_at` integer,
	`revoked_by` text
);--> statement-breakpoint
CREATE INDEX `standing_approvals_lookup` ON `standing_approvals` (`requester_id`,`action`,`expires_at`);
