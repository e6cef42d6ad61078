ALTER TABLE `grants` ADD `redeem_key_id` text;--> statement-breakpoint
ALTER TABLE `reviews` ADD `discounted_at` integer;--> statement-breakpoint
ALTER TABLE `reviews` ADD `discounted_reason` text;--> statement-breakpoint
DROP INDEX `reviews_one_per_reviewer`;--> statement-breakpoint
CREATE UNIQUE INDEX `reviews_one_per_reviewer` ON `reviews` (`action_id`,`reviewer`) WHERE `discounted_at` IS NULL;
