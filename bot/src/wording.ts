/** Refusals a person sees when Countersign cannot tell who they are; one wording for every listener. */
export const NO_EMAIL =
  "Countersign can't tell who you are: only full members of this workspace with a confirmed email may act here (not guests or people from other organisations). If that is you, ask an admin to check the app's users:read.email scope.";

/** `reason` is the normaliser's ("no usable identity: …"). */
export const unusableEmail = (reason: string): string =>
  `Countersign can't use the email on your Slack profile as an identity (${reason}). Nothing was decided. Ask an admin to correct the email on your Slack profile; until then you cannot approve, deny or pair a browser here.`;
