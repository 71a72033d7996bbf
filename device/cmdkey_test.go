package device

import (
	"reflect"
	"strings"
	"testing"
)

func TestParseCmdkeyListFixtures(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		file string
		want []Credential
	}{
		{"English without indent", "cmdkey-list-en-msa.txt", []Credential{
			{Target: "MicrosoftAccount:target=SSO_POP_User:user=test@gmail.com", Name: "MicrosoftAccount:target=SSO_POP_User:user=test@gmail.com", Type: "Generic", User: "test@gmail.com"},
			{Target: "MicrosoftAccount:target=SSO_POP_Device", Name: "MicrosoftAccount:target=SSO_POP_Device", Type: "Generic", User: "02gkmhqyeeqnsqgh"},
			{Target: "LegacyGeneric:target=MicrosoftAccount:user=test@gmail.com", Name: "MicrosoftAccount:user=test@gmail.com", Type: "Generic", User: "test@gmail.com"},
		}},
		{"English indented with a 4-space separator", "cmdkey-list-en-indented.txt", []Credential{
			{Target: "WindowsLive:target=virtualapp/didlogical", Name: "WindowsLive:target=virtualapp/didlogical", Type: "Generic", User: "02nfpgrklkitqatu"},
			{Target: `Domain:interactive=WIN-QBA94KB3IOF\admin`, Name: `Domain:interactive=WIN-QBA94KB3IOF\admin`, Type: "Domain Password", User: `WIN-QBA94KB3IOF\admin`},
		}},
		{"German", "cmdkey-list-de.txt", []Credential{
			{Target: "MicrosoftAccount:target=SSO_POP_User:user=example@gmx.com", Name: "MicrosoftAccount:target=SSO_POP_User:user=example@gmx.com", Type: "Allgemeine", User: "example@gmx.com"},
			{Target: "MicrosoftAccount:target=SSO_POP_Device", Name: "MicrosoftAccount:target=SSO_POP_Device", Type: "Allgemeine", User: "asfrtgbfnosgd2iq"},
			{Target: "LegacyGeneric:target=sftp://root@81.110.150.18", Name: "sftp://root@81.110.150.18", Type: "Allgemeine", User: "root"},
		}},
	}
	for _, c := range cases {
		for vname, text := range variants(fixture(t, c.file)) {
			t.Run(c.name+"/"+vname, func(t *testing.T) {
				t.Parallel()
				got, err := ParseCmdkeyList(text)
				if err != nil {
					t.Fatal(err)
				}
				if !reflect.DeepEqual(got, c.want) {
					t.Errorf("got  %+v\nwant %+v", got, c.want)
				}
			})
		}
	}
}

func TestParseCmdkeyListShapes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name string
		text string
		want []Credential
	}{
		{"English empty vault", "\r\nCurrently stored credentials:\r\n\r\n* NONE *\r\n", []Credential{}},
		{"German empty vault", "Momentan gespeicherte Anmeldeinformationen:\n\n    * KEINE *\n", []Credential{}},
		{"header only", "Currently stored credentials:\n", []Credential{}},
		{"record without a user line", "Currently stored credentials:\n\n    Target: LegacyGeneric:target=OneDrive Cached Credential\n    Type: Generic \n    Local machine persistence\n",
			[]Credential{{Target: "LegacyGeneric:target=OneDrive Cached Credential", Name: "OneDrive Cached Credential", Type: "Generic"}}},
		{"French-style space before the colon", "Informations d'identification actuellement stockées :\n\n    Cible : LegacyGeneric:target=MicrosoftOffice16_Data:SSPI:alex@contoso.com\n    Type : Générique\n    Utilisateur : alex@contoso.com\n",
			[]Credential{{Target: "LegacyGeneric:target=MicrosoftOffice16_Data:SSPI:alex@contoso.com", Name: "MicrosoftOffice16_Data:SSPI:alex@contoso.com", Type: "Générique", User: "alex@contoso.com"}}},
		{"Office target keeps its inner colons", "Currently stored credentials:\n\n    Target: LegacyGeneric:target=MicrosoftOffice16_Data:SSPI:alex@contoso.com\n    Type: Generic\n    User: alex@contoso.com\n    Local machine persistence\n",
			[]Credential{{Target: "LegacyGeneric:target=MicrosoftOffice16_Data:SSPI:alex@contoso.com", Name: "MicrosoftOffice16_Data:SSPI:alex@contoso.com", Type: "Generic", User: "alex@contoso.com"}}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCmdkeyList(c.text)
			if err != nil {
				t.Fatal(err)
			}
			if !reflect.DeepEqual(got, c.want) {
				t.Errorf("got  %+v\nwant %+v", got, c.want)
			}
		})
	}
}

func TestParseCmdkeyListRejects(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, text, says string
	}{
		{"empty", "", "empty"},
		{"no header", "Target: a\nType: Generic\n", "header"},
		{"indented header", "    Currently stored credentials:\n", "header"},
		{"an error message", "CMDKEY: The parameter is incorrect.\n", "header"},
		{"a record with one line", "Currently stored credentials:\n\n    Target: a\n", "type line"},
		{"a record whose first line has no label", "Currently stored credentials:\n\n    just text\n    Type: Generic\n", "<label>: <target>"},
		{"a record whose type line has no label", "Currently stored credentials:\n\n    Target: x\n    Generic\n", "<label>: <type>"},
		{"an empty target", "Currently stored credentials:\n\n    Target:\n    Type: Generic\n", "empty target"},
		{"records with different labels", "Currently stored credentials:\n\n    Target: a\n    Type: Generic\n\n    Ziel: b\n    Typ: Allgemeine\n", "differ"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			got, err := ParseCmdkeyList(c.text)
			if err == nil {
				t.Fatalf("no error; got %+v", got)
			}
			if !strings.Contains(err.Error(), c.says) {
				t.Errorf("error %q does not mention %q", err, c.says)
			}
		})
	}
}

func FuzzParseCmdkeyList(f *testing.F) {
	for _, name := range []string{"cmdkey-list-en-msa.txt", "cmdkey-list-en-indented.txt", "cmdkey-list-de.txt"} {
		f.Add(fixture(f, name))
	}
	f.Add("Currently stored credentials:\n\n* NONE *\n")
	f.Fuzz(func(t *testing.T, text string) {
		creds, err := ParseCmdkeyList(text)
		if err != nil {
			if creds != nil {
				t.Fatal("credentials returned with an error")
			}
			return
		}
		for _, c := range creds {
			if c.Target == "" || !strings.HasSuffix(c.Target, c.Name) {
				t.Fatalf("credential %+v: Name is not the end of Target", c)
			}
			if c.Name != strings.TrimPrefix(c.Target, legacyGeneric) {
				t.Fatalf("credential %+v: Name is not Target without %s", c, legacyGeneric)
			}
		}
	})
}
