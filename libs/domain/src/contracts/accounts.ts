/** Local accounts (issue 10): second factor, password changes, sessions, the town's security settings. */

/** POST /auth/login when the account has a second factor: the password was right, the code is next. */
export interface SecondFactorChallenge {
  secondFactor: 'totp';
  /** seconds the pending login lasts */
  expiresInSeconds: number;
}

/** POST /auth/login/second-factor: a 6-digit code of the authenticator app, or one of the recovery codes. */
export interface SecondFactorLoginRequest {
  code: string;
}

export interface ChangePasswordRequest {
  currentPassword: string;
  newPassword: string;
}

/** POST /agents/{id}/password-reset: a temporary password, to be changed at the next login. */
export interface PasswordResetRequest {
  password: string;
}

export interface SecondFactorStatus {
  enabled: boolean;
  /** an enrolment was started and waits for its first code */
  pending: boolean;
  recoveryCodesLeft: number;
  /** the town requires it of this account (an admin, with the setting on) */
  required: boolean;
}

/** What the authenticator app needs: a QR code (PNG data URL, made by the server) or the secret typed by hand. */
export interface TotpEnrolment {
  secret: string;
  otpauthUri: string;
  qrDataUrl: string;
}

export interface RecoveryCodes {
  /** shown once; each works once */
  recoveryCodes: string[];
}

export interface SessionSummary {
  id: string;
  createdAt: string;
  lastSeenAt: string;
  expiresAt: string;
  ip: string | null;
  userAgent: string | null;
  /** the session of this request */
  current: boolean;
}

export interface SecuritySettings {
  secondFactorRequiredForAdmins: boolean;
  /** minutes without a request after which a session ends (0: never) */
  idleTimeoutMinutes: number;
  /** hours after sign-in after which a session ends, however active */
  sessionLifetimeHours: number;
  /** false on shared counter PCs: the cookie lasts until the browser closes */
  persistentCookie: boolean;
  version: number;
}

/** POST /auth/sign-in-link/check and …/redeem: the token of a sign-in link (the fragment of its address). */
export interface SignInLinkCheckRequest {
  token: string;
}

/** Whose link it is, until when, and whether an authenticator app will be asked for next. */
export interface SignInLinkView {
  email: string;
  displayName: string;
  expiresAt: string;
  secondFactorRequired: boolean;
}

/** POST /auth/sign-in-link/redeem: the password chosen; the answer is the signed-in agent (Me). */
export interface SignInLinkRedeemRequest {
  token: string;
  newPassword: string;
}
