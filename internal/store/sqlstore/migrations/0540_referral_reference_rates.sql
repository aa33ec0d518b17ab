-- Variation: referral reference tables (referrals by age band and sex, national
-- or for a CCG) that a CCG imports to standardise referral measures
-- (docs/formats/referral-rates.md). Months are TEXT 'YYYY-MM'; area is
-- 'england' or a CCG's ODS code.

CREATE TABLE referral_reference_rates (
	month TEXT NOT NULL,
	area TEXT NOT NULL,
	function_code TEXT NOT NULL,
	sex TEXT NOT NULL,
	age_band TEXT NOT NULL,
	referrals BIGINT NOT NULL,
	patients BIGINT NOT NULL,
	PRIMARY KEY (month, area, function_code, sex, age_band)
);
